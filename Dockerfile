# syntax=docker/dockerfile:1
# Niger Watch: a build stage that compiles with the dev dependencies, and a runtime stage with the production
# dependencies, the compiled dist/, data/ and locales/ only, run as the unprivileged `node` user.
#   docker build -t niger-watch .
#   docker run --init --env-file .env -p 3000:3000 -p 9464:9464 niger-watch
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are here. better-sqlite3's own install step is the
# only one the runtime needs (package.json allowScripts), run by name.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY commands ./commands
# The build also writes the snapshots the bot starts from (src/snapshot.ts): the validated data/, the parsed locales/.
COPY data ./data
COPY locales ./locales
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    # Settings come from the container's environment (docker run --env-file, compose), never from a file in the image.
    ENV_FILE= \
    # /healthz, /readyz and /metrics always have a port in a container (Slack's PORT keeps /healthz and /readyz too).
    METRICS_PORT=9464 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only for the bot; only var/ (the default SQLite file) is the bot's to write.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY data ./data
COPY locales ./locales
RUN mkdir -p var && chown node:node var
USER node
EXPOSE 3000 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || process.env.PORT) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The bot itself is the container's main process (no npm in between): SIGTERM from `docker stop` reaches it,
# and it stops gracefully (digests in flight recorded, claims handed back). Run with --init (compose: init: true).
CMD ["node", "dist/src/main.js"]
