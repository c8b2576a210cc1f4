/** dist/miniapp-page/ of this checkout: where `npm run build` puts the page and src/miniapp/page.ts serves it from. */
export declare const PAGE_OUT: string;
/** Bundles the page into `outDir` (default PAGE_OUT), replacing what was there in one rename. */
export declare function buildPage(outDir?: string): Promise<string>;
