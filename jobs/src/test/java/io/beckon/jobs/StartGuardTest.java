package io.beckon.jobs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;

class StartGuardTest {
  private static final Map<Integer, Long> COMMITTED = Map.of(0, 42L, 1, 7L);

  @Test
  void firstStartOfAGroupNeedsNoState() {
    assertDoesNotThrow(
        () -> StartGuard.checkState(Optional.empty(), false, "g", "events", Map.of()));
  }

  @Test
  void committedOffsetsWithoutStateAreRefused() {
    var e =
        assertThrows(
            IllegalStateException.class,
            () -> StartGuard.checkState(Optional.empty(), false, "g", "events", COMMITTED));
    assertTrue(e.getMessage().contains("consumer group 'g'"), e.getMessage());
    assertTrue(e.getMessage().contains("flink run -s <path>"), e.getMessage());
    assertTrue(e.getMessage().contains("--allow.start.without.state true"), e.getMessage());
  }

  @Test
  void aRestorePathOrTheExplicitOptionLetsItStart() {
    assertDoesNotThrow(
        () ->
            StartGuard.checkState(
                Optional.of("file:///sp/savepoint-1"), false, "g", "events", COMMITTED));
    assertDoesNotThrow(
        () -> StartGuard.checkState(Optional.empty(), true, "g", "events", COMMITTED));
  }

  @Test
  void restorePathComesFromTheSubmittedConfiguration() {
    Configuration conf = new Configuration();
    assertEquals(Optional.empty(), StartGuard.restorePath(conf));
    conf.set(StateRecoveryOptions.SAVEPOINT_PATH, "file:///sp/savepoint-1");
    assertEquals(Optional.of("file:///sp/savepoint-1"), StartGuard.restorePath(conf));
    // The key the CLI's -s sets, spelled out:
    Configuration byKey = Configuration.fromMap(Map.of("execution.state-recovery.path", "s3://x"));
    assertEquals(Optional.of("s3://x"), StartGuard.restorePath(byKey));
  }

  @Test
  void aFixedJobIdMeansTheClusterRecovers() {
    Configuration conf = new Configuration();
    assertEquals(false, StartGuard.recoveredByCluster(conf));
    conf.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, "00000000000000000000000000000001");
    assertTrue(StartGuard.recoveredByCluster(conf));
  }

  @Test
  void theDefaultTransactionalIdPrefixMustBeChosenExplicitly() {
    var e =
        assertThrows(
            IllegalStateException.class,
            () -> StartGuard.checkTransactionalIdPrefix(JobConfig.fromArgs()));
    assertTrue(e.getMessage().contains("--transactional.id.prefix"), e.getMessage());
    assertDoesNotThrow(
        () ->
            StartGuard.checkTransactionalIdPrefix(
                JobConfig.fromArgs("--transactional.id.prefix", "beckon-prod")));
  }
}
