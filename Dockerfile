# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and the native SQLite module.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# npm run build generates the command-line client's GraphQL types from schema.gql first
COPY tsconfig.json tsconfig.build.json codegen.yml schema.gql ./
COPY src ./src
# npm run build bundles dist/main.js with this script (esbuild, a dev dependency)
COPY scripts/bundle-daemon.ts ./scripts/
RUN npm run build && npm prune --omit=dev

# Runtime stage: restic from Debian, a non-root user, state and cache on a volume.
FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends restic openssh-client ca-certificates util-linux \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/hen-backup --uid 10001 hen
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# hen-backup.schema.json: `hen-backup init` points the configuration it writes at it
COPY package.json hen-backup.schema.json ./
ENV NODE_ENV=production HEN_BACKUP_CONFIG=/etc/hen-backup/config.yaml
USER hen
VOLUME ["/var/lib/hen-backup"]
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
