package io.beckon.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Checks made by {@link EngagementJob#main} before it builds the job, so that a submission cannot
 * silently throw the job's state away or share another deployment's transactions.
 *
 * <p>Why the state check: the job's state (profiles, carts, pending fires, dedup memory) lives only
 * in checkpoints and savepoints. Submitted without one, the job starts empty, and with {@code
 * starting.offsets=committed-or-earliest} it resumes reading where the previous run's group
 * stopped: every user looks new, pending fires are lost, welcome rules fire again. Committed
 * offsets of the group on the events topic are the sign that such a previous run existed.
 */
public final class StartGuard {
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private StartGuard() {}

  /** The savepoint or checkpoint the submission restores from ({@code flink run -s}), if any. */
  public static Optional<String> restorePath(ReadableConfig submitted) {
    return submitted.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).filter(p -> !p.isBlank());
  }

  /**
   * True when Flink, not this submission, decides where the job resumes: an application cluster
   * with high availability re-runs {@code main} after a JobManager failover under the job's fixed
   * id and then recovers the job from its last checkpoint, whatever {@code main} submits.
   */
  public static boolean recoveredByCluster(ReadableConfig submitted) {
    return submitted.getOptional(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID).isPresent();
  }

  /**
   * The decision: refuses a start without state when the group has committed offsets on the events
   * topic, unless {@code allow.start.without.state=true}.
   *
   * @param committed partition -> committed offset of the job's group on the events topic
   * @throws IllegalStateException with what to do instead
   */
  public static void checkState(
      Optional<String> restorePath,
      boolean allowStartWithoutState,
      String groupId,
      String eventsTopic,
      Map<Integer, Long> committed) {
    if (restorePath.isPresent() || allowStartWithoutState || committed.isEmpty()) {
      return;
    }
    throw new IllegalStateException(
        "refusing to start without state: consumer group '"
            + groupId
            + "' has committed offsets on '"
            + eventsTopic
            + "' "
            + new TreeMap<>(committed)
            + ", so a previous run of this job had state (profiles, pending fires) that this"
            + " submission would drop. Resubmit from its savepoint or retained checkpoint"
            + " (flink run -s <path> ...), or, to start empty on purpose, set"
            + " --allow.start.without.state true (or use a new group.id).");
  }

  /**
   * Refuses the default {@code transactional.id.prefix} when it was not chosen explicitly: two
   * deployments writing with the same transactional ids fence each other's producers (and abort
   * each other's transactions), so every deployment must name its own.
   */
  public static void checkTransactionalIdPrefix(JobConfig config) {
    if (config.isDefault("transactional.id.prefix")) {
      throw new IllegalStateException(
          "set --transactional.id.prefix to a name unique to this deployment (e.g."
              + " beckon-prod-eu): the exactly-once sinks' transactional ids start with it, and two"
              + " jobs sharing a prefix fence each other. The default '"
              + JobConfig.DEFAULT_TRANSACTIONAL_ID_PREFIX
              + "' is for the demo and tests only.");
    }
  }

  /** Partition -> committed offset of {@code groupId} on {@code topic}; empty if none. */
  public static Map<Integer, Long> committedOffsets(
      String bootstrapServers, String groupId, String topic, Properties kafkaProperties) {
    Properties p = new Properties();
    p.putAll(kafkaProperties);
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    Map<Integer, Long> out = new TreeMap<>();
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(groupId)
              .partitionsToOffsetAndMetadata()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      offsets.forEach(
          (tp, om) -> {
            if (om != null && tp.topic().equals(topic)) {
              out.put(tp.partition(), om.offset());
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading committed offsets", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the committed offsets of consumer group '"
              + groupId
              + "' at "
              + bootstrapServers
              + " (needed to tell a first start from a start that would drop state): "
              + e,
          e);
    }
    return out;
  }
}
