// The two-level nesting every OTLP/JSON export shares — ResourceSpans /
// ResourceLogs → ScopeSpans / ScopeLogs → items — read into a builder's
// resources and scopes, handing each item to the signal's reader. A resource
// or scope left without items adds nothing, as in the protobuf decoders
// (otlp-proto-common.ts).

import { ValueType } from '../model/span-batch.js';
import { readAttributes } from './otlp-json-any-value.js';
import { expectObject, keyUsed, readArray, readObject, readString, readUint32, within, type JsonObject } from './otlp-json-fields.js';
import type { ItemBuilder } from './otlp-proto-common.js';

/** JSON names (lowerCamelCase, snake_case) of the three levels. */
export interface JsonGroupNames {
  resources: readonly [string, string];
  scopes: readonly [string, string];
  items: readonly [string, string];
}

export type JsonItemReader<B extends ItemBuilder> = (item: JsonObject, b: B, resource: number, scope: number) => void;

const SERVICE_NAME = 'service.name';

export function readResourceGroups<B extends ItemBuilder>(request: JsonObject, b: B, names: JsonGroupNames, readItem: JsonItemReader<B>): void {
  const list = readArray(request, ...names.resources);
  let i = 0;
  try {
    for (; i < list.length; i++) readResourceGroup(expectObject(list[i]), b, names, readItem);
  } catch (e) {
    within(e, `${keyUsed(request, ...names.resources)}[${i}]`);
  }
}

function readResourceGroup<B extends ItemBuilder>(rg: JsonObject, b: B, names: JsonGroupNames, readItem: JsonItemReader<B>): void {
  const resource = readObject(rg, 'resource');
  const schemaUrl = readString(rg, 'schemaUrl', 'schema_url');
  const attributesStart = b.resourceAttributes.length;
  let resourceIndex: number;
  try {
    const dropped = resource ? readUint32(resource, 'droppedAttributesCount', 'dropped_attributes_count') : 0;
    resourceIndex = b.addResource(schemaUrl, dropped);
    if (resource) {
      readAttributes(resource, b.resourceAttributes, resourceIndex);
      setServiceName(b, resourceIndex, attributesStart);
    }
  } catch (e) {
    return within(e, 'resource');
  }

  const itemsBefore = b.length;
  const list = readArray(rg, ...names.scopes);
  let i = 0;
  try {
    for (; i < list.length; i++) readScopeGroup(expectObject(list[i]), b, names, readItem, resourceIndex);
  } catch (e) {
    within(e, `${keyUsed(rg, ...names.scopes)}[${i}]`);
  }
  if (b.length === itemsBefore) b.removeLastResource(attributesStart);
}

/** The last service.name attribute of the resource, when it is a string (as the protobuf decoder does). */
function setServiceName(b: ItemBuilder, resource: number, attributesStart: number): void {
  const a = b.resourceAttributes;
  for (let i = a.length - 1; i >= attributesStart; i--) {
    if (a.key[i] === SERVICE_NAME) {
      if (a.type[i] === ValueType.String) b.setResourceServiceName(resource, a.str[i]!);
      return;
    }
  }
}

function readScopeGroup<B extends ItemBuilder>(sg: JsonObject, b: B, names: JsonGroupNames, readItem: JsonItemReader<B>, resource: number): void {
  const scope = readObject(sg, 'scope');
  const schemaUrl = readString(sg, 'schemaUrl', 'schema_url');
  const attributesStart = b.scopeAttributes.length;
  let scopeIndex: number;
  try {
    scopeIndex = b.addScope(
      scope ? readString(scope, 'name') : '',
      scope ? readString(scope, 'version') : '',
      schemaUrl,
      scope ? readUint32(scope, 'droppedAttributesCount', 'dropped_attributes_count') : 0,
    );
    if (scope) readAttributes(scope, b.scopeAttributes, scopeIndex);
  } catch (e) {
    return within(e, 'scope');
  }

  const itemsBefore = b.length;
  const items = readArray(sg, ...names.items);
  const itemsKey = keyUsed(sg, ...names.items);
  let i = 0;
  try {
    for (; i < items.length; i++) readItem(expectObject(items[i]), b, resource, scopeIndex);
  } catch (e) {
    within(e, `${itemsKey}[${i}]`);
  }
  if (b.length === itemsBefore) b.removeLastScope(attributesStart);
}
