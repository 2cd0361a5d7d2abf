declare module "tsx/esm";
