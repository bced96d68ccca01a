"""The LCSPR workbench core: the review model, its store, the statutory clocks and documents.

Plain Python with no Streamlit import, so every rule here is tested without a browser.
"""
