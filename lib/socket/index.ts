export * from './SocketLike';
export * from './openNodeSocket';
