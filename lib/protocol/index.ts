export * from './constants';
export * from './uuid';
export * from './StreamChannelRef';
export * from './ErrorBody';
export * from './Frame';
export * from './decodeFrame';
