import java.io.File;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * One NameNode and one DataNode on 127.0.0.1 with WebHDFS on, for dagwright's tests.
 * Args: --dir DIR [--http-port 9870] [--rpc-port 8020] (0 = any free port) [-Dkey=value ...]
 * Prints "READY http=... rpc=..." once a DataNode has registered (the cluster is writable);
 * stops cleanly on SIGTERM or SIGINT.
 */
public class MiniHdfs {
  public static void main(String[] args) throws Exception {
    int httpPort = 9870, rpcPort = 8020;
    String dir = null;
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
    Configuration conf = new HdfsConfiguration();
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean("dfs.permissions.enabled", false);
    // The DataNode's close() polls the NameNode from 400 ms on: 400 ms per small file without this.
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--http-port": httpPort = Integer.parseInt(args[++i]); break;
        case "--rpc-port": rpcPort = Integer.parseInt(args[++i]); break;
        case "--dir": dir = args[++i]; break;
        default:
          if (args[i].startsWith("-D") && args[i].contains("=")) {
            String kv = args[i].substring(2);
            conf.set(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
          } else throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (dir == null) throw new IllegalArgumentException("--dir is required");
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(dir).getAbsolutePath());
    long t0 = System.nanoTime();
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1).nameNodePort(rpcPort).nameNodeHttpPort(httpPort)
        .storagesPerDatanode(1).format(true).build();
    cluster.waitActive();
    // A signal handler, not a shutdown hook: Hadoop removes its own hooks while shutting down.
    for (String sig : new String[] {"TERM", "INT"})
      sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> { cluster.shutdown(); System.exit(0); });
    System.out.printf("READY http=127.0.0.1:%d rpc=hdfs://127.0.0.1:%d dir=%s startup_ms=%d%n",
        cluster.getNameNode().getHttpAddress().getPort(), cluster.getNameNodePort(), dir,
        (System.nanoTime() - t0) / 1_000_000);
    System.out.flush();
    Thread.currentThread().join();
  }
}
