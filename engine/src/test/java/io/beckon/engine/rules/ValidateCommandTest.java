package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rules validate} on a folder with a journey: its problems, then its lifetime. */
class ValidateCommandTest {
  @Test
  void printsEachJourneysLifetimeAndRejectsItUntilTheEngineRunsJourneys(@TempDir Path dir)
      throws Exception {
    Files.copy(JourneyGrammarTest.EXAMPLE, dir.resolve("onboarding.yaml"));
    Files.copy(Path.of("..", "rules", "policies.yaml"), dir.resolve("policies.yaml"));
    Files.copy(Path.of("..", "rules", "winback-7d.yaml"), dir.resolve("winback-7d.yaml"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int status;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      status = ValidateCommand.run(new String[] {dir.toString()});
    } finally {
      System.setOut(stdout);
    }
    // Quiet hours 22:00 to 08:00 in policies.yaml: 6d 1h plus 10 h for each of three sends.
    assertEquals(
        List.of(
            "journey onboarding-first-days: at most 7d 7h from entry to end (9 steps)",
            "3 file(s) checked: 0 error(s), 0 warning(s)"),
        out.toString(StandardCharsets.UTF_8).lines().toList());
    assertEquals(0, status);
  }
}
