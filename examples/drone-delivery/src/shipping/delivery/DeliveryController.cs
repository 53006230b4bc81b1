namespace Fabrikam.DroneDelivery.DeliveryService
{
    // Answers GET /api/deliveries/{id}: where is this delivery now?
    public sealed class DeliveryController
    {
        public string Status(string id) => $"delivery {id}: in flight";
    }
}
