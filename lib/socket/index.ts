export * from './SocketLike';
export * from './openNodeSocket';
export * from './defaultSocketFactory';
