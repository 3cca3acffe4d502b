import {
  type Server,
  type ServerDuplexStream,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { create, type DescFile, type DescService, fromBinary, type Message, toBinary } from '@bufbuild/protobuf';
import { loadReflectionDescriptors, type ReflectionDescriptors } from './reflection-descriptors';

export const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

/** ServerReflectionRequest (same shape in v1 and v1alpha), as decoded by @bufbuild/protobuf. */
type ReflectionRequest = Message & {
  host: string;
  messageRequest:
    | { case: 'fileByFilename' | 'fileContainingSymbol' | 'allExtensionNumbersOfType' | 'listServices'; value: string }
    | { case: 'fileContainingExtension'; value: { containingType: string; extensionNumber: number } }
    | { case: undefined; value?: undefined };
};

type ReflectionAnswer =
  | { case: 'fileDescriptorResponse'; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: 'listServicesResponse'; value: { service: { name: string }[] } }
  | { case: 'allExtensionNumbersResponse'; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: 'errorResponse'; value: { errorCode: status; errorMessage: string } };

const notFound = (errorMessage: string): ReflectionAnswer => ({
  case: 'errorResponse',
  value: { errorCode: status.NOT_FOUND, errorMessage },
});

function answer(descriptors: ReflectionDescriptors, { messageRequest: request }: ReflectionRequest): ReflectionAnswer {
  const { registry } = descriptors;
  const files = (file: DescFile | undefined, what: string): ReflectionAnswer =>
    file
      ? { case: 'fileDescriptorResponse', value: { fileDescriptorProto: descriptors.withDependencies(file) } }
      : notFound(`${what} not found`);
  switch (request.case) {
    case 'listServices':
      return { case: 'listServicesResponse', value: { service: descriptors.services.map((name) => ({ name })) } };
    case 'fileByFilename':
      return files(registry.getFile(request.value), `file ${request.value}`);
    case 'fileContainingSymbol':
      return files(descriptors.fileContainingSymbol(request.value), `symbol ${request.value}`);
    case 'fileContainingExtension': {
      const { containingType, extensionNumber } = request.value;
      const extendee = registry.getMessage(containingType);
      const extension = extendee && registry.getExtensionFor(extendee, extensionNumber);
      return files(extension?.file, `extension ${extensionNumber} of ${containingType}`);
    }
    case 'allExtensionNumbersOfType': {
      if (!registry.getMessage(request.value)) return notFound(`type ${request.value} not found`);
      const extensionNumber = [...registry].flatMap((type) =>
        type.kind === 'extension' && type.extendee.typeName === request.value ? [type.number] : [],
      );
      return { case: 'allExtensionNumbersResponse', value: { baseTypeName: request.value, extensionNumber } };
    }
    default:
      return { case: 'errorResponse', value: { errorCode: status.INVALID_ARGUMENT, errorMessage: 'empty reflection request' } };
  }
}

/** A grpc-js service definition whose messages are (de)serialized by @bufbuild/protobuf from their descriptors. */
function serviceDefinition(service: DescService): ServiceDefinition {
  return Object.fromEntries(
    service.methods.map((method) => [
      method.name,
      {
        path: `/${service.typeName}/${method.name}`,
        requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
        responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
        requestSerialize: (value: Message) => Buffer.from(toBinary(method.input, value)),
        requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
        responseSerialize: (value: Message) => Buffer.from(toBinary(method.output, value)),
        responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
        originalName: method.localName,
      },
    ]),
  );
}

/**
 * Adds gRPC server reflection (v1 and v1alpha). It answers with the
 * FileDescriptorProtos buf compiled from `proto/`, the health service's and
 * the reflection service's own protos — original file names, imports and
 * fully-qualified type names — so grpcurl-style tools work without the proto
 * files.
 */
export function addReflection(server: Server, descriptors: ReflectionDescriptors = loadReflectionDescriptors()): void {
  for (const serviceName of REFLECTION_SERVICES) {
    const service = descriptors.registry.getService(serviceName);
    if (!service) throw new Error(`descriptor set lacks ${serviceName}`);
    const responseSchema = service.methods[0].output;
    const serverReflectionInfo = (call: ServerDuplexStream<ReflectionRequest, Message>) => {
      call.on('data', (request: ReflectionRequest) =>
        call.write(
          create(responseSchema, {
            validHost: request.host,
            originalRequest: request,
            messageResponse: answer(descriptors, request),
          }),
        ),
      );
      call.on('end', () => call.end());
    };
    const implementation: UntypedServiceImplementation = { ServerReflectionInfo: serverReflectionInfo };
    server.addService(serviceDefinition(service), implementation);
  }
}
