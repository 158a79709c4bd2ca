// --pre-js of the threaded module (ae-mt.js, web/CMakeLists.txt): how many threads it offers and how many
// pthread Workers it preloads. A thread of a module that runs inside a Web Worker can only start on a
// Worker created before (pthread_create cannot wait for a new one while the caller blocks), so the
// module loads them all up front: 2 * (aeMaxThreads - 1), enough for an old and a new Session (the page
// creates the new one before it deletes the old) of aeMaxThreads threads each, the caller included.
// bindings.cpp maxThreads() reads aeMaxThreads.
var aeMaxThreads = Math.max(1, Math.min(4, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) ||
                                          (typeof require === 'function' ? require('os').cpus().length : 2)));
var aePthreadPoolSize = 2 * (aeMaxThreads - 1);
