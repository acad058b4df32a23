/**
 * Hands a file to the browser's download (Electron shows its save dialog): a Blob URL on a link with
 * `download`, clicked, then released once the download has had time to read it.
 */
export function downloadFile(file: { fileName: string; mime: string; content: string }): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
