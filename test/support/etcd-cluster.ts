/** The real etcd cluster the tests start: the same launcher `npm run bench` uses (server/src/bench/etcd-cluster.ts). */
export { ETCD_BINARY, startEtcdCluster, type EtcdCluster, type EtcdMember, type KeyValue } from '../../server/src/bench/etcd-cluster.js';
