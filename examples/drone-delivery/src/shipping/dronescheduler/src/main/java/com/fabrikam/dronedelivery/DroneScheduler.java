package com.fabrikam.dronedelivery;

/** Books the first available drone for a delivery. */
public final class DroneScheduler {
    public String book(String deliveryId) { return "drone-1 booked for " + deliveryId; }
}
