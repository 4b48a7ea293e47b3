import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, SeverityNumber, TraceFlags } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeExportLogsServiceRequest } from './otlp-logs-proto-decode.js';
import { decodeOtlpJsonLogs } from './otlp-logs-json-decode.js';
import { ValueType } from '../model/span-batch.js';
import { hexOf } from '../model/hex.js';
import { fieldsOfRecord } from '../model/field-columns.js';

async function sdkRecords(): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'h1' }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('scope-a', '1.0');
  const ctx = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
  logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'disk 91% full', attributes: { 'disk.free': 9, path: '/var' }, context: ctx });
  logger.emit({ body: { 'a.b': 1, a: { b: 'two', c: [1, { d: true }] }, empty: {}, none: null as unknown as string } });
  logger.emit({ body: [1, 'x'], eventName: 'evt' });
  await provider.forceFlush();
  const records = memory.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}

describe('OTLP logs decoders', () => {
  it('decode the same records from protobuf and from JSON into the same batch', async () => {
    const records = await sdkRecords();
    const proto = decodeExportLogsServiceRequest(ProtobufLogsSerializer.serializeRequest(records)!);
    const json = decodeOtlpJsonLogs(JsonLogsSerializer.serializeRequest(records)!);
    assert.equal(proto.rejected, 0);
    assert.deepEqual(json.batch, proto.batch);
    const b = proto.batch;
    assert.equal(b.length, 3);
    assert.equal(b.severityNumber[0], 13);
    assert.equal(b.severityText[0], 'WARN');
    assert.equal(hexOf(b.traceId, 0, 16), '0af7651916cd43dd8448eb211c80319c');
    assert.equal(hexOf(b.spanId, 0, 8), 'b7ad6b7169203331');
    assert.equal(b.flags[0], 1);
    assert.equal(b.resources.serviceName[b.resource[0]!], 'checkout');
    assert.equal(b.scopes.name[b.scope[0]!], 'scope-a');
    assert.equal(b.eventName[2], 'evt');
    // bodies: a string, a map (kept whole and flattened), an array
    assert.deepEqual([...b.body.type], [ValueType.String, ValueType.KvList, ValueType.Array]);
    const fields = Object.fromEntries(fieldsOfRecord(b.bodyFields, 1).map(([key, type, value]) => [key, [type, String(value ?? 0)]]));
    assert.deepEqual(fields, {
      'a^.b': [ValueType.Int, '1'],
      'a.b': [ValueType.String, 'two'],
      'a.c': [ValueType.Array, '[1,{"d":true}]'],
      empty: [ValueType.KvList, '{}'],
      none: [ValueType.Empty, '0'],
    });
  });

  it('drops a record whose trace id has the wrong length and keeps the others', () => {
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'ok' } }, { traceId: 'abcd', body: { stringValue: 'bad' } }] }] }],
    });
    const d = decodeOtlpJsonLogs(body);
    assert.equal(d.batch.length, 1);
    assert.equal(d.rejected, 1);
    assert.match(d.rejectMessage, /1 log record rejected: invalid traceId "abcd"/);
  });

  it('refuses a malformed request naming the JSON path', () => {
    assert.throws(() => decodeOtlpJsonLogs('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]}'), /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.severityNumber: unknown SeverityNumber "LOUD"/);
  });
});
