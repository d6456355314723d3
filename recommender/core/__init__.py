"""The core: the contract (profile, response, prediction requests), the engine, errors.

Nothing here imports the surfaces, the app, streamlit, plotly, fastapi or boto3.
"""
