package dev.berth.support;

import dev.berth.support.ExternalCommand.Result;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;

/** HTTP GETs with curl run through a command prefix, for servers that only a network namespace can reach. */
public final class Curl {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<String> launcher;

    private Curl(List<String> launcher) {
        this.launcher = launcher;
    }

    /** Finds curl, to be run through {@code prefix} (such as {@link NetworkNamespace#prefix()}). */
    public static Curl find(List<String> prefix) {
        List<String> launcher = new ArrayList<>(prefix);
        launcher.add(Tools.require("curl", "curl").toString());
        return new Curl(List.copyOf(launcher));
    }

    /** {@code GET url}: exit code 0 and the body for a 2xx answer, 22 for an HTTP error, 7 when refused. */
    public Result get(String url) {
        List<String> command = new ArrayList<>(launcher);
        // No proxy: an http_proxy in the environment must not capture requests meant for the namespace's loopback.
        command.addAll(List.of("--silent", "--show-error", "--fail", "--noproxy", "*", url));
        return ExternalCommand.run(command, TIMEOUT);
    }

    /** {@code DELETE url} with {@code user}'s Basic credentials: exit code 0 and the HTTP status on stdout. */
    public Result delete(String url, String user, String password) {
        List<String> command = new ArrayList<>(launcher);
        // The login goes in on stdin (curl's --config), not where ps shows it.
        command.addAll(List.of("--silent", "--show-error", "--noproxy", "*", "--config", "-", "--request", "DELETE",
                "--output", "/dev/null", "--write-out", "%{http_code}", url));
        String login = "user = \"" + user + ":" + password + "\"\n";
        return ExternalCommand.run(command, login.getBytes(StandardCharsets.UTF_8), TIMEOUT);
    }

    /** {@code GET url}, failing the test with curl's error unless the answer is 2xx; returns the body. */
    public String getText(String url) {
        Result result = get(url);
        if (result.exitCode() != 0) {
            Assertions.fail("GET " + url + ": curl exited with " + result.exitCode() + ": " + result.stderr());
        }
        return result.stdoutText();
    }
}
