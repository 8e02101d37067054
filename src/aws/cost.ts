/**
 * What ECR storage costs: $0.10 per GB-month of private storage (us-east-1; other regions are
 * close). An estimate: AWS measures compressed, de-duplicated layers, and the image sizes ECR
 * reports are per image, so layers shared between images count twice here.
 */

/** Private repository storage, USD per GB-month. */
export const STORAGE_USD_PER_GB_MONTH = 0.1;
/** Decimal, as the lessons do the arithmetic ("20 MB is 0.02 GB"). */
const GB = 1e9;

/** The estimated monthly storage cost of `bytes` of images. */
export function monthlyStorageUsd(bytes: number): number {
  return (bytes / GB) * STORAGE_USD_PER_GB_MONTH;
}

/** `$1.20`, `$0.025`, `$0.0021`, `under $0.0001`, `$0.00`: enough digits to show a small cost is not zero. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.0001) return 'under $0.0001';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}

/** `0 B`, `812 B`, `4.1 kB`, `12.3 MB`, `1.20 GB` (decimal units, as docker prints sizes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
