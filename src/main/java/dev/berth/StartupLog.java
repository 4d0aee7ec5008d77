package dev.berth;

import dev.berth.config.BerthConfig;
import java.util.List;
import java.util.Optional;

/** What berth logs once it listens: the line that says where and how, and the warnings of a doubtful setup. */
final class StartupLog {
    private StartupLog() {
    }

    /** Where and how berth listens, where the data is, what it mirrors, whether it authenticates. */
    static String startedLine(BerthConfig config, int port, boolean https, String where) {
        String redirect = BerthServer.redirectPort(config).map(p -> ", plain HTTP on port " + p + " redirected to it")
                .orElse("");
        return "berth listening on " + config.server().host() + ":" + port
                + (https ? " (HTTPS" + redirect + ")" : " (plain HTTP)")
                + ", " + where + ", " + describeMirror(config) + ", authentication "
                + authentication(config.auth())
                + "; the web page at /ui/, health at /observe/health, metrics at /observe/metrics";
    }

    private static String authentication(BerthConfig.Auth auth) {
        String file = auth.htpasswd().map(path -> "from " + path).orElse("");
        String directory = auth.ldap().map(ldap -> "from the directory " + ldap.url()).orElse("");
        return !auth.enabled() ? "off" : file.isEmpty() || directory.isEmpty() ? file + directory
                : file + " then " + directory;
    }

    /**
     * What berth warns of at start on a bucket that other instances may share when it knows of none: each then fetches
     * a cold blob from the upstream itself, which nothing else would tell the operator.
     */
    static Optional<String> aloneOnASharedStore(BerthConfig config, boolean sharedStore) {
        boolean peers = config.cluster().filter(c -> !c.peers().isEmpty() || c.peersDns().isPresent()).isPresent();
        if (!sharedStore || peers) {
            return Optional.empty();
        }
        return Optional.of("storage.s3 without cluster.peers or cluster.peers-dns: every instance on this bucket"
                + " fetches from the upstream on its own (a cold blob once per instance). To have them fetch for each"
                + " other, list every instance in cluster.peers (or set cluster.peers-dns to a name that resolves to"
                + " all of them, such as http://tasks.berth:5000 in a swarm) and give them the same"
                + " cluster.secret-file");
    }

    private static String describeMirror(BerthConfig config) {
        if (config.mirror().upstreams().isEmpty()) {
            return "no upstreams: every repository is private";
        }
        String privateNames = config.privateRepos().repositories().isEmpty() ? "none"
                : String.join(", ", config.privateRepos().repositories());
        List<String> upstreams = config.mirror().upstreams().stream()
                .map(u -> u.registry() + " from " + u.url() + (u.isDefault() ? " (default)" : ""))
                .toList();
        return "mirroring " + String.join(", ", upstreams) + "; private: " + privateNames;
    }
}
