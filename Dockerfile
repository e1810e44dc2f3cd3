# paxgate in a container: `docker build -t paxgate .` then
#   docker run -p 8443:8443 -p 8080:8080 -v paxgate-data:/data paxgate
# The embedded config binds 127.0.0.1; inside the container the listeners bind all interfaces
# (PAXGATE__HTTPS__HOST / PAXGATE__OPERATOR__HOST). Mount your own config with --config to go live.
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 paxgate
WORKDIR /opt/paxgate
COPY pyproject.toml README.md ./
COPY gateway gateway
COPY adapters adapters
COPY validators validators
COPY conformance conformance
COPY configs configs
# editable: the embedded config and the profiles are read from /opt/paxgate/configs
RUN pip install --no-cache-dir -e . && mkdir /data && chown paxgate /data

USER paxgate
ENV PAXGATE__HTTPS__HOST=0.0.0.0 \
    PAXGATE__OPERATOR__HOST=0.0.0.0
VOLUME /data
EXPOSE 8443 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4)"
STOPSIGNAL SIGTERM
ENTRYPOINT ["paxgate", "serve", "--data-dir", "/data"]
