'use client';

import { useActionState, useEffect, useState } from 'react';
import { type ManualReadingState, submitManualReading } from './actions';

export interface MeterOption {
  id: string;
  label: string;
  unit: string;
}

interface Labels {
  meter: string;
  value: string;
  time: string;
  photo: string;
  photoHint: string;
  submit: string;
  saved: string;
  invalid: string;
  notAvailable: string;
  error: string;
}

/**
 * Phone photos are several MB; the dial stays readable at 1600 px, so the photo is re-encoded as
 * JPEG in the browser before upload (smaller requests on mobile networks, within the API limit).
 */
async function downscale(file: File, maxSide = 1600): Promise<File> {
  if (!file.type.startsWith('image/')) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/jpeg', 0.82));
    return blob ? new File([blob], `${file.name.replace(/\.\w+$/, '')}.jpg`, { type: 'image/jpeg' }) : file;
  } catch {
    return file;
  }
}

/** The phone-first manual reading form; `capture="environment"` opens the rear camera. */
export function ManualReadingForm({
  enterpriseId,
  meters,
  labels,
}: {
  enterpriseId: string;
  meters: MeterOption[];
  labels: Labels;
}) {
  const [state, dispatch, pending] = useActionState<ManualReadingState, FormData>(submitManualReading, {
    status: 'idle',
  });
  const [meter, setMeter] = useState(meters[0] ? `${meters[0].id}|${meters[0].unit}` : '');
  const [preview, setPreview] = useState<string | null>(null);
  const [offset, setOffset] = useState('');
  useEffect(() => {
    const m = -new Date().getTimezoneOffset();
    const abs = Math.abs(m);
    setOffset(
      `${m >= 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
    );
  }, []);
  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );
  const unit = meter.split('|')[1] ?? '';
  const err = (name: string) => state.fieldErrors?.[name]?.join(', ');
  const message =
    state.status === 'saved'
      ? { cls: 'success', text: `${labels.saved} (${state.result ?? ''})` }
      : state.status === 'invalid'
        ? { cls: 'alert', text: `${labels.invalid}${state.code ? ` ${state.code}` : ''}` }
        : state.status === 'notAvailable'
          ? { cls: 'notice', text: labels.notAvailable }
          : state.status === 'error'
            ? { cls: 'alert', text: `${labels.error} (${state.code ?? ''})` }
            : null;
  const action = async (fd: FormData) => {
    const photo = fd.get('photo');
    if (photo instanceof File && photo.size > 0) fd.set('photo', await downscale(photo));
    dispatch(fd);
  };
  return (
    <form action={action} data-testid="manual-reading-form">
      {message ? (
        <p className={message.cls} role={message.cls === 'alert' ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      <input type="hidden" name="tzOffset" value={offset} />
      <input type="hidden" name="enterpriseId" value={enterpriseId} />
      <div className="field">
        <label htmlFor="mr-meter">{labels.meter}</label>
        <select
          id="mr-meter"
          name="meter"
          value={meter}
          onChange={(e) => setMeter(e.target.value)}
          aria-invalid={!!err('meterId') || undefined}
        >
          {meters.map((m) => (
            <option key={m.id} value={`${m.id}|${m.unit}`}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="mr-value">
          {labels.value} {unit ? `(${unit})` : ''}
        </label>
        <input
          id="mr-value"
          name="value"
          inputMode="decimal"
          autoComplete="off"
          required
          aria-invalid={!!err('value') || undefined}
          aria-describedby={err('value') ? 'mr-value-err' : undefined}
        />
        {err('value') ? (
          <p className="hint" id="mr-value-err">
            {err('value')}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="mr-time">{labels.time}</label>
        <input id="mr-time" name="readAt" type="datetime-local" aria-invalid={!!err('ts') || undefined} />
      </div>
      <div className="field">
        <label htmlFor="mr-photo">{labels.photo}</label>
        <input
          id="mr-photo"
          name="photo"
          type="file"
          accept="image/*"
          capture="environment"
          aria-describedby="mr-photo-hint"
          aria-invalid={!!err('photoBase64') || undefined}
          onChange={(e) => {
            const file = e.target.files?.[0];
            setPreview(file ? URL.createObjectURL(file) : null);
          }}
        />
        <p className="hint" id="mr-photo-hint">
          {labels.photoHint}
        </p>
        {preview ? (
          // biome-ignore lint/performance/noImgElement: local blob preview, next/image cannot optimise it
          <img src={preview} alt="" className="photo-preview" />
        ) : null}
      </div>
      <button type="submit" disabled={pending} aria-busy={pending}>
        {labels.submit}
      </button>
    </form>
  );
}
