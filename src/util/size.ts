/**
 * Image sizes as the sandbox console and the ECR console show them: bytes while small, then KiB,
 * then "MB" counted in MiB with two decimals (the console's "Size (MB)" column), so a 380-byte
 * image reads "380 B" and never "0.0 MB".
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}
