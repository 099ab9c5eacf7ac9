'use client';

import { SegmentError } from '@/components/segment-error-client';

export default function ErrorBoundary(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <SegmentError {...props} />;
}
