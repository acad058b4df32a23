// Types for electron-vendor.cjs, so TypeScript tests can import it.
export interface VendorArtifact {
  file: string;
  url: string;
  sha256: string;
}
export interface VendorManifest {
  version: string;
  release: string;
  artifacts: Record<string, VendorArtifact>;
  headers: { file: string; url: string; sha256: string | null; checksumsUrl: string };
}
export declare const ROOT: string;
export declare const MANIFEST_PATH: string;
export declare const ELECTRON_PACKAGE_DIR: string;
export declare const VENDOR_CACHE: string;
export declare const REQUIRED_PLATFORMS: readonly string[];
export declare function readManifest(file?: string): VendorManifest;
export declare function packageElectronVersion(root?: string): string;
export declare function manifestProblems(manifest: VendorManifest, file?: string, expectedVersion?: string): string[];
export declare function platformKey(platform?: string, arch?: string): string;
export declare function sha256File(file: string): Promise<string>;
export declare function shasumFor(shasumsText: string, fileName: string): string | null;
export declare function headersDir(version: string): string;
export declare function headersInstalled(version: string): boolean;
export declare function electronCacheRoot(): string;
export declare function electronCachePath(url: string, root?: string): string;
export declare function executableFor(platform?: string): string;
export declare function electronBinary(): string | null;
export declare function vendoredZip(platformName: string, arch: string, manifest?: VendorManifest): Promise<string>;
