export { certificateThumbprint, MAX_CERTIFICATE_BYTES, parseDeviceCertificate } from './lib/device-certificate';
export type { CertificatePolicy, DeviceCertificate } from './lib/device-certificate';
export { isCanonicalSubjectName, subjectDistinguishedName } from './lib/subject-name';
export { runOpenssl } from './lib/openssl';
