import streamlit as st

st.set_page_config(page_title="Learning-rate explorer", page_icon="📉", layout="wide")
st.title("Learning-rate explorer")
st.write("The dashboard is being built; the engine is in `gdcore`.")
