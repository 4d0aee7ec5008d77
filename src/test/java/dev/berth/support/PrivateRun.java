package dev.berth.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs daemons in a mount namespace of their own with an empty /run, so that what they mount stays off the host. */
final class PrivateRun {
    private PrivateRun() {
    }

    /** Skips the test (fails it on CI) unless unshare is installed. */
    static void requireInstalled() {
        Tools.require("unshare", "util-linux");
    }

    /**
     * {@code prefix} followed by the words that run a program in a mount namespace of its own with an empty /run.
     * dockerd bind-mounts its data root onto itself and creates /run/docker/plugins whatever its --exec-root, and
     * containerd mounts snapshots to unpack layers; this way none of it reaches the host, even if they are killed,
     * and a host containerd's /run/containerd is out of sight.
     */
    static List<String> around(List<String> prefix) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Tools.require("unshare", "util-linux").toString(), "--mount", "--propagation", "private",
                "sh", "-c", "mount -t tmpfs -o mode=755 berth-test-run /run && exec \"$@\"", "sh"));
        return command;
    }

    /**
     * {@code prefix} followed by the words that run a program in {@code mountNamespace}, another program's private one
     * (made by {@link #around}), so that the two see each other's mounts.
     */
    static List<String> joining(List<String> prefix, Path mountNamespace) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Tools.require("nsenter", "util-linux").toString(), "--mount=" + mountNamespace));
        return command;
    }
}
