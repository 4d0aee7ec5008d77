package dev.berth;

import dev.berth.events.Act;
import dev.berth.events.Event;
import dev.berth.events.Events;
import dev.berth.events.Origin;
import dev.berth.events.Target;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.retention.RetentionEvents;
import java.time.Clock;
import java.util.Optional;

/**
 * A retention round's removals told as deletes to notifications and the audit trail, by the actor
 * {@value #ACTOR}: no request made them, and no account can have that name (a colon ends an htpasswd user's name).
 */
final class RetentionRemovalsReported implements RetentionEvents {
    static final String ACTOR = "berth:retention";
    private static final Origin NO_REQUEST = new Origin("", "", "", "", "", false);

    private final Events events;
    private final Clock clock;

    RetentionRemovalsReported(Events events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void tagRemoved(RepoName name, String tag, Digest digest) {
        report(Target.repository(name.value()).withTag(Optional.of(tag)).withDigest(digest.toString()));
    }

    @Override
    public void manifestRemoved(RepoName name, Digest digest) {
        report(Target.repository(name.value()).withDigest(digest.toString()));
    }

    private void report(Target target) {
        events.report(new Event(Event.newId(), clock.instant(), Act.DELETE, target, NO_REQUEST, Optional.of(ACTOR),
                Event.OK));
    }
}
