# Descent Lab in a container: the dashboard on the shipped data.
#   docker build -t descent-lab . && docker run -p 8501:8501 descent-lab
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "streamlit_app.py", "--server.port=8501", "--server.address=0.0.0.0"]
