// nlkit/testing: a fake kernel for unit tests of code built on nlkit.
export { FakeKernel, FakeEndpoint, FakeRequest, type FakeHandler, type FakeKernelOptions, type FakeMessage, type FakeMessageParts, type DeliverOptions } from './fake-kernel.js';
