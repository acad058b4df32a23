/** Stylesheets imported for their side effect; Vite bundles them into the emitted CSS file. */
declare module '*.css';
