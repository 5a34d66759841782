FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 NEWSDESK_DATA_DIR=/data MALLOC_ARENA_MAX=2
WORKDIR /app
# The locked dependencies first (exact versions, hashes checked): a change to the code alone
# does not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
# Then the project itself (the `newsdesk` command); /app keeps the sources and data/ beside it.
COPY . .
RUN pip install --no-cache-dir --no-deps . && rm -rf build ./*.egg-info \
    && useradd --system --uid 10001 --home /app newsdesk && mkdir -p /data && chown newsdesk /data
USER newsdesk
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
CMD ["sh", "-c", "newsdesk db upgrade && exec newsdesk serve"]
