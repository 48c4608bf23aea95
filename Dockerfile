# Descent Lab in a container: the dashboard on the shipped data, as an unprivileged user.
#   docker build -t descent-lab . && docker run -p 8501:8501 descent-lab
FROM python:3.11-slim
# Every package pinned with its hashes (requirements.txt is a pip-tools lock): pip
# refuses anything else, transitive dependencies included.
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin lab
WORKDIR /app
# Root owns the code and the shipped data: the app user can read them, not change them.
COPY --chown=root:root . .
USER lab
ENV OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2
# The results catalog (page runs, README "Runs from the pages"): the one folder the app
# user writes; mount a volume there to keep it across containers.
ENV DESCENT_LAB_RESULTS=/home/lab/results
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "streamlit_app.py", "--server.port=8501", "--server.address=0.0.0.0"]
