package dev.berth.support;

import java.nio.file.Path;

/** berth.yaml as the tests' berths start with it, in this JVM or in a child: on a free loopback port by default. */
final class BerthYaml {
    /** The {@code server} section of a berth on a free loopback port. */
    static final String LOOPBACK = "{host: 127.0.0.1, port: 0}";

    private BerthYaml() {
    }

    /** The {@code server} and {@code storage} sections as given, then {@code extraYaml}'s top-level sections. */
    static String of(String serverYaml, String storageYaml, String extraYaml) {
        return "server: " + serverYaml + "\nstorage: " + storageYaml + "\n" + extraYaml;
    }

    /** A berth on a free loopback port with its data in {@code root}, and {@code extraYaml}'s sections. */
    static String onLoopback(Path root, String extraYaml) {
        return of(LOOPBACK, storage(root), extraYaml);
    }

    /** The {@code storage} section of a berth with its data in {@code root}. */
    static String storage(Path root) {
        return "{root: '" + root + "'}";
    }
}
