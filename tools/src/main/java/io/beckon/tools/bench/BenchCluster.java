package io.beckon.tools.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One local Flink cluster (a MiniCluster in this JVM) that runs every bench job in turn, so each
 * job pays for its own start but not for a cluster's. Jobs get the settings of {@code
 * flink-conf/config.yaml} that matter for speed: RocksDB, incremental checkpoints (every 2 s here,
 * exactly-once mode), about 0.5 GB of managed memory for RocksDB, no Kryo.
 */
final class BenchCluster implements AutoCloseable {
  static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
  private static final MemorySize MANAGED_MEMORY = MemorySize.parse("512m");

  private final MiniCluster cluster;
  private final Path work;
  private final int parallelism;

  /** What a finished (or cancelled) job did, read from its archived execution graph. */
  record Run(
      String name,
      JobID id,
      long submittedAt,
      long endedAt,
      long allRunningAt,
      JobStatus status,
      CheckpointStatsSnapshot checkpoints,
      String stateBackend) {
    /** Submission to the end of the job, as the caller saw it. */
    double wallSeconds() {
      return (endedAt - submittedAt) / 1000.0;
    }

    /** From the moment every task was running to the end: the job's start excluded. */
    double runningSeconds() {
      return (endedAt - Math.max(submittedAt, allRunningAt)) / 1000.0;
    }
  }

  private BenchCluster(MiniCluster cluster, Path work, int parallelism) {
    this.cluster = cluster;
    this.work = work;
    this.parallelism = parallelism;
  }

  static BenchCluster start(Path work, int parallelism) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MANAGED_MEMORY);
    // Every checkpoint of a run in its statistics, so failures can be explained.
    conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 100_000);
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
    conf.set(
        CheckpointingOptions.SAVEPOINT_DIRECTORY, work.resolve("savepoints").toUri().toString());
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
    cluster.start();
    return new BenchCluster(cluster, work, parallelism);
  }

  /** A fresh environment for building one job with the bench's settings. */
  StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    return env;
  }

  int parallelism() {
    return parallelism;
  }

  /** Submits the job built in {@code env} and returns at once. */
  Submitted submit(StreamExecutionEnvironment env, String name, String restoreFrom)
      throws Exception {
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(name);
    if (restoreFrom != null) {
      graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom));
    }
    long submittedAt = System.currentTimeMillis();
    JobID id = cluster.submitJob(graph).get().getJobID();
    return new Submitted(name, id, submittedAt);
  }

  /** Submits a bounded job, waits for its end and fails if it did not finish. */
  Run runToEnd(StreamExecutionEnvironment env, String name) throws Exception {
    Submitted job = submit(env, name, null);
    JobResult result = cluster.requestJobResult(job.id()).get();
    long endedAt = System.currentTimeMillis();
    if (!result.isSuccess()) {
      throw new IllegalStateException(
          name + " failed", result.getSerializedThrowable().map(t -> (Throwable) t).orElse(null));
    }
    return describe(job, endedAt);
  }

  /** Cancels a running job and waits until it is gone. */
  Run cancel(Submitted job) throws Exception {
    cluster.cancelJob(job.id()).get();
    cluster.requestJobResult(job.id()).get();
    return describe(job, System.currentTimeMillis());
  }

  /** A savepoint of a running job, in RocksDB's own format (its files), which keeps running. */
  String nativeSavepoint(Submitted job) throws Exception {
    return cluster
        .triggerSavepoint(
            job.id(),
            work.resolve("savepoints").toUri().toString(),
            false,
            SavepointFormatType.NATIVE)
        .get(10, TimeUnit.MINUTES);
  }

  /** Checkpoint statistics of a running job. */
  CheckpointStatsSnapshot checkpoints(Submitted job) throws Exception {
    return cluster.getExecutionGraph(job.id()).get().getCheckpointStatsSnapshot();
  }

  JobStatus status(Submitted job) throws Exception {
    return cluster.getJobStatus(job.id()).get();
  }

  private Run describe(Submitted job, long endedAt) throws Exception {
    ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(job.id()).get();
    long allRunningAt = 0;
    for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
      allRunningAt =
          Math.max(
              allRunningAt,
              v.getCurrentExecutionAttempt().getStateTimestamp(ExecutionState.RUNNING));
    }
    return new Run(
        job.name(),
        job.id(),
        job.submittedAt(),
        endedAt,
        allRunningAt,
        graph.getState(),
        graph.getCheckpointStatsSnapshot(),
        graph.getStateBackendName().orElse("?"));
  }

  /** A job that was submitted. */
  record Submitted(String name, JobID id, long submittedAt) {}

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
