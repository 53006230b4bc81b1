package com.fabrikam.dronedelivery;

/** Accepts a delivery request and hands it to the queue read by the workflow. */
public final class Ingestion {
    public String accept(String request) { return "queued: " + request; }
}
