// Go Dalga v3 (the reference build) and `bin/dalga serve` sharing one MariaDB table: see
// test/support/mixed-cluster-go.ts.
import { describeMixedCluster } from '../support/mixed-cluster-go.js';

describeMixedCluster('v3');
