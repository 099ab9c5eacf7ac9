/**
 * The two AttestationRegistry view functions the verifier calls. The standalone verifier has no
 * access to the platform's deployments/<chainId>.json, so it carries this fragment; a test checks
 * it against the compiled contract ABI (contracts/artifacts) so it cannot drift silently.
 */
export const ATTESTATION_VERIFY_ABI = [
  {
    type: 'function',
    name: 'verify',
    stateMutability: 'view',
    inputs: [
      { name: 'root', type: 'bytes32' },
      { name: 'proof', type: 'bytes32[]' },
      { name: 'leaf', type: 'bytes32' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'anchorOf',
    stateMutability: 'view',
    inputs: [{ name: 'root', type: 'bytes32' }],
    outputs: [
      {
        name: '',
        type: 'tuple',
        components: [
          { name: 'enterpriseIndex', type: 'uint32' },
          { name: 'kind', type: 'uint8' },
          { name: 'superseded', type: 'bool' },
          { name: 'anchoredAt', type: 'uint40' },
          { name: 'leafCount', type: 'uint48' },
          { name: 'periodStart', type: 'uint40' },
          { name: 'periodEnd', type: 'uint40' },
        ],
      },
    ],
  },
] as const;

/** The write functions the API's anchoring worker calls (`supersede` for corrected reports). */
export const ATTESTATION_ANCHOR_ABI = [
  {
    type: 'function',
    name: 'anchor',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'enterpriseId', type: 'bytes32' },
      { name: 'root', type: 'bytes32' },
      { name: 'leafCount', type: 'uint48' },
      { name: 'periodStart', type: 'uint64' },
      { name: 'periodEnd', type: 'uint64' },
      { name: 'kind', type: 'uint8' },
      { name: 'standardRef', type: 'bytes32' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'supersede',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'enterpriseId', type: 'bytes32' },
      { name: 'oldRoot', type: 'bytes32' },
      { name: 'newRoot', type: 'bytes32' },
      { name: 'leafCount', type: 'uint48' },
      { name: 'periodStart', type: 'uint64' },
      { name: 'periodEnd', type: 'uint64' },
      { name: 'standardRef', type: 'bytes32' },
      { name: 'reason', type: 'string' },
    ],
    outputs: [],
  },
] as const;

/** AnchorKind enum values of IAttestationRegistry. */
export const ANCHOR_KIND = { readings: 0, inventory: 1, report: 2 } as const;
