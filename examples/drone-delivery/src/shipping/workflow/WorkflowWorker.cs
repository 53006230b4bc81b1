namespace Fabrikam.DroneDelivery.Workflow
{
    // Takes one queued delivery request and calls package, dronescheduler and delivery in turn.
    public sealed class WorkflowWorker
    {
        public string[] Steps() => new[] { "package", "dronescheduler", "delivery" };
    }
}
