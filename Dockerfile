# Image for docker-compose.yml and k8s/: runs the TypeScript sources directly (swc), like `npm start`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY . .
ENV NODE_ENV=production PORT=3000
EXPOSE 3000 4317 4318
USER node
CMD ["node", "-r", "./tools/register.js", "apps/vigil/src/main.ts"]
