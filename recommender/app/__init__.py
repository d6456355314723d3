"""What the Streamlit app and the notebooks show: presets, form fields, charts, explorer.

The core never imports this package (plotly is imported here only).
"""
