import type { ClientRecord } from '../ports';
import type { ClientMetadata } from './client-metadata';

/** What the stored client keeps of its validated metadata, however it registered. */
export type ClientRecordMetadata = Pick<
  ClientRecord,
  'redirectUris' | 'grantTypes' | 'responseTypes' | 'clientName' | 'clientUri' | 'logoUri' | 'scope' | 'applicationType'
>;

// policy_uri and tos_uri are validated and echoed to a registering client, but ClientRecord
// has no place for them: a dynamic client and a metadata-document client lose the same fields.
export function clientRecordMetadata(metadata: ClientMetadata): ClientRecordMetadata {
  return {
    redirectUris: metadata.redirectUris,
    grantTypes: metadata.grantTypes,
    responseTypes: metadata.responseTypes,
    clientName: metadata.clientName,
    clientUri: metadata.clientUri,
    logoUri: metadata.logoUri,
    scope: metadata.scope,
    applicationType: metadata.applicationType,
  };
}
