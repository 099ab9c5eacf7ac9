import type { NextConfig } from 'next';

/**
 * Static security headers for every response. The Content-Security-Policy is NOT here: it needs a
 * per-request nonce and the API's WebSocket origin, which is only known at run time, so
 * `src/proxy.ts` sets it (see the comment there for the policy and its reasons).
 */
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  // The manual-reading form uses the phone camera through <input capture>, which is not gated by
  // Permissions-Policy; getUserMedia and the rest stay off.
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // The standalone verifier's pure functions (TypeScript sources) run in the verifier's browser.
  transpilePackages: ['opencep-verify'],
  // Photos of meter dials taken on phones are a few MB.
  experimental: { serverActions: { bodySizeLimit: '12mb' } },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
