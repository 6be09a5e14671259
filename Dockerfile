# The chatbus image: the edge and every handler service (compose.yaml picks the command).

# The web client, built with the locked npm dependencies.
FROM node:20-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY services/ services/
COPY asyncapi/ asyncapi/
# Editable, so the edge finds web/dist and asyncapi/ next to services/ as in a checkout.
RUN pip install -c constraints.txt -e .
COPY --from=web /src/web/dist web/dist
RUN useradd --system --no-create-home chatbus
USER chatbus
EXPOSE 8000
CMD ["chatbus", "edge"]
