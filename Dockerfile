# syntax=docker/dockerfile:1
# The bot as an image. `.ci/build-check.sh` repeats these steps without Docker (it reads this file's COPY, RUN,
# ENV, HEALTHCHECK and CMD lines and fails if they drift from what it reproduces). See docs/deploy.md.

# Build: compile TypeScript with all dependencies, then drop the dev ones.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts run here (only esbuild, a dev tool, has one); none of it reaches the final stage.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY locales ./locales
RUN npm run build && npm prune --omit=dev

# Run: production dependencies, compiled JS and the SQL migrations, which the app applies at start
# (dist/db/client.js reads ../../src/db/migrations). No npm, no sources, no dev tools at runtime.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/db/migrations ./src/db/migrations
COPY --from=build /app/locales ./locales
# Embedded PGlite (no DATABASE_URL) keeps its files in /data: mount a volume there. The app's own files stay
# root-owned and read-only to the process.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# The image's `node` user, numerically, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node is PID 1 and handles SIGTERM itself: it stops polling, finishes work in flight and exits 0.
# Allow it time (SHUTDOWN_TIMEOUT_MS, 10 s by default, for the whole shutdown): `docker stop -t 40`, compose stop_grace_period.
# Same flags as `npm start`: a small young generation keeps RSS near 130 MB under load.
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=192", "dist/main.js"]
