import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFileRegistry, type DescFile, fromBinary, toBinary, type FileRegistry } from '@bufbuild/protobuf';
import { nestedTypes } from '@bufbuild/protobuf/reflect';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const DESCRIPTOR_SET_FILE = 'descriptor-set.binpb';

/**
 * Where the descriptor set compiled by buf (`lifecycle-api:generate`) is: the
 * app's build copies it next to `main.js`; from source it is in `src/generated`.
 */
export function descriptorSetPath(): string {
  const bundled = path.join(__dirname, DESCRIPTOR_SET_FILE);
  return existsSync(bundled) ? bundled : path.resolve(__dirname, '../generated', DESCRIPTOR_SET_FILE);
}

/** The served protos as the compiler wrote them, indexed the way reflection asks for them. */
export interface ReflectionDescriptors {
  registry: FileRegistry;
  /** Fully-qualified names of every service in the set. */
  services: string[];
  /** The file declaring a symbol (message, enum, service, method, field, extension), if any. */
  fileContainingSymbol(symbol: string): DescFile | undefined;
  /** The file, then its transitive imports, each a serialized FileDescriptorProto. */
  withDependencies(file: DescFile): Uint8Array[];
}

export function loadReflectionDescriptors(file = descriptorSetPath()): ReflectionDescriptors {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(file)));
  const symbols = new Map<string, DescFile>();
  const services: string[] = [];
  for (const descFile of registry.files) {
    for (const type of nestedTypes(descFile)) {
      symbols.set(type.typeName, descFile);
      if (type.kind === 'service') {
        services.push(type.typeName);
        type.methods.forEach((method) => symbols.set(`${type.typeName}.${method.name}`, descFile));
      } else if (type.kind === 'message') {
        type.fields.forEach((field) => symbols.set(`${type.typeName}.${field.name}`, descFile));
      }
    }
  }
  const encoded = new Map<DescFile, Uint8Array>();
  const encode = (descFile: DescFile) => {
    const bytes = encoded.get(descFile) ?? toBinary(FileDescriptorProtoSchema, descFile.proto);
    encoded.set(descFile, bytes);
    return bytes;
  };
  return {
    registry,
    services,
    fileContainingSymbol: (symbol) => symbols.get(symbol),
    withDependencies(descFile) {
      const files = new Set<DescFile>();
      const visit = (f: DescFile) => {
        if (files.has(f)) return;
        files.add(f);
        f.dependencies.forEach(visit);
      };
      visit(descFile);
      return [...files].map(encode);
    },
  };
}
