// Starts everything `marquetry serve` runs: the trace, log and metrics stores (WAL
// replay first), the OTLP/HTTP and OTLP/gRPC receivers and the query API; stops them
// in reverse order so acknowledged data is flushed and the WAL closed.

import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { parseHostPort, type ServerConfig } from '../config/config.js';
import { TraceStore } from '../store/trace-store.js';
import { LogStore } from '../store/log-store.js';
import { mountLogRoutes, mountLogSearch } from '../api/log-routes.js';
import { Engine } from '../engine/duckdb.js';
import { TraceQueries } from '../query/trace-queries.js';
import { LOOKUP_ENGINE_MEMORY } from '../query/trace-lookup.js';
import { createOtlpHttpServer } from '../api/otlp-http.js';
import { createOtlpGrpcServer, listenGrpc } from '../api/otlp-grpc.js';
import { createQueryApi } from '../api/query-api.js';
import { mountRemoteWrite } from '../api/remote-write-route.js';
import { mountPrometheusApi } from '../api/prometheus-api.js';
import { decodeMetricsWalRecord } from '../api/metrics-export.js';
import { MetricsStore } from '../tsdb/metrics-store.js';
import { SqlService } from '../query/sql/sql-service.js';
import { mountSql } from '../api/sql-route.js';
import { mountHealthRoutes } from '../api/health-route.js';
import { mountCompareRoutes } from '../api/compare-route.js';
import { mountTraceQLMetricsRoutes } from '../api/traceql-metrics-route.js';
import { defaultUiDir, mountUi } from '../api/ui-route.js';
import { IDLE_KEEP_ALIVE_MS } from '../api/keep-alive.js';
import { DataFolderLock } from '../store/data-folder-lock.js';

export interface RunningServer {
  store: TraceStore;
  metrics: MetricsStore;
  logs: LogStore;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  httpPort: number;
  close(): Promise<void>;
}

function listenHttp(server: HttpServer, address: string): Promise<number> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts every store and listener over `config.dataDir`, which it locks against a second server. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const lock = await DataFolderLock.acquire(config.dataDir);
  let running: RunningServer;
  try {
    running = await startLocked(config);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return {
    ...running,
    close: async () => {
      await running.close();
      await lock.release();
    },
  };
}

async function startLocked(config: ServerConfig): Promise<RunningServer> {
  let ready = false;
  const store = await TraceStore.open(config);
  const logs = await LogStore.open(config);
  const metrics = await MetricsStore.open({
    dataDir: config.dataDir,
    chunkEncoding: config.chunkEncoding,
    blockMaxSamples: config.metricsBlockMaxSamples,
    blockMaxSpanMs: config.metricsBlockMaxSpanMs,
    maxHeadSamples: config.metricsMaxHeadSamples,
    retentionMs: config.retentionMs,
    walFsync: config.walFsync,
    decodeWalRecord: decodeMetricsWalRecord,
  });
  const engine = await Engine.create({
    dataDir: config.dataDir,
    threads: config.queryThreads,
    memoryLimit: config.queryMemoryLimit,
    timeoutMs: config.queryTimeoutMs,
  });
  // Trace lookups read one row group per column, which one thread decodes:
  // DuckDB's second worker only adds scheduling (bench: 41.6 → 27.3 CPU ms per
  // lookup with one query), so they get an engine of one thread and run their
  // column groups as concurrent queries instead (docs/storage.md).
  const lookupEngine = await Engine.create({
    dataDir: config.dataDir,
    threads: 1,
    memoryLimit: LOOKUP_ENGINE_MEMORY,
    timeoutMs: config.queryTimeoutMs,
    tempSubdir: 'duckdb-lookup',
  });
  const queries = new TraceQueries(store, engine, lookupEngine);

  const otlpHttp = createOtlpHttpServer(store, metrics, logs, {
    maxRequestBytes: config.maxRequestBytes,
    authToken: config.authToken,
    maxInFlightBytes: Math.max(config.maxRequestBytes * 4, 256 * 1024 * 1024),
  });
  const otlpHttpPort = await listenHttp(otlpHttp, config.otlpHttp);

  const grpc: GrpcServer = createOtlpGrpcServer(store, metrics, logs, { maxRequestBytes: config.maxRequestBytes, authToken: config.authToken });
  const grpcAddr = parseHostPort(config.otlpGrpc);
  const otlpGrpcPort = await listenGrpc(grpc, grpcAddr.host, grpcAddr.port);

  const app = createQueryApi(store, queries, { authToken: config.authToken, isReady: () => ready });
  // User SQL gets its own locked-down engine; half the query memory each.
  const sql = await SqlService.open(store, {
    threads: config.queryThreads,
    memoryLimit: config.queryMemoryLimit,
    timeoutMs: config.queryTimeoutMs,
    dedicatedColumns: config.dedicatedColumns,
    logs,
  });
  mountHealthRoutes(app, { store, engine });
  mountCompareRoutes(app, { store, engine });
  mountTraceQLMetricsRoutes(app, { store, engine });
  mountSql(app, sql, { authToken: config.authToken, maxRequestBytes: config.maxRequestBytes });
  mountLogRoutes(app, { logs, engine, maxRequestBytes: config.maxRequestBytes });
  mountLogSearch(app, { logs, engine, maxRequestBytes: config.maxRequestBytes });
  mountRemoteWrite(app, metrics, { maxRequestBytes: config.maxRequestBytes, authToken: config.authToken });
  mountPrometheusApi(app, metrics, { lookbackDeltaMs: config.lookbackDeltaMs, queryTimeoutMs: config.queryTimeoutMs, maxSamples: config.queryMaxSamples });
  // Last: its catch-all GET answers pages of the UI that no API route took.
  mountUi(app, { uiDir: defaultUiDir() });
  const apiAddr = parseHostPort(config.http);
  const api: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: apiAddr.host, port: apiAddr.port, serverOptions: { keepAliveTimeout: IDLE_KEEP_ALIVE_MS } }, () => resolve(s));
    s.once('error', reject);
  });
  const httpPort = (api.address() as AddressInfo).port;
  ready = true;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ready = false;
      await new Promise<void>((resolve) => grpc.tryShutdown(() => resolve()));
      await new Promise<void>((resolve) => {
        otlpHttp.close(() => resolve());
        otlpHttp.closeIdleConnections();
      });
      await store.close();
      await logs.close();
      await metrics.close();
      await new Promise<void>((resolve) => {
        api.close(() => resolve());
        if ('closeIdleConnections' in api) api.closeIdleConnections();
      });
      await sql.close();
      await queries.close();
      engine.close();
      lookupEngine.close();
    })();
    return closing;
  };
  return { store, metrics, logs, otlpHttpPort, otlpGrpcPort, httpPort, close };
}
