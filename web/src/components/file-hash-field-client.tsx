'use client';

import { useId, useState } from 'react';

/**
 * Evidence document picker: hashes the file in the browser (SHA-256, Web Crypto) and fills a
 * hex field of the form; the document itself never leaves the user's machine.
 */
export function FileHashField({
  label,
  hashLabel,
  name = 'documentHash',
  required = true,
}: {
  label: string;
  hashLabel: string;
  name?: string;
  required?: boolean;
}) {
  const id = useId();
  const [hash, setHash] = useState('');
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-doc`}>{label}</label>
        <input
          id={`${id}-doc`}
          type="file"
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            if (!file) return;
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
            setHash(`0x${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-hash`}>{hashLabel}</label>
        <input
          id={`${id}-hash`}
          name={name}
          value={hash}
          onChange={(e) => setHash(e.currentTarget.value)}
          pattern="0x[0-9a-fA-F]{64}"
          required={required}
          className="mono"
        />
      </div>
    </>
  );
}
