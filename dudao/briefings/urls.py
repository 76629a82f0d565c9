from django.urls import path

from dudao.briefings import views

app_name = "briefings"
urlpatterns = [
    path("county/<str:code>/", views.county_latest, name="county_latest"),
    path("county/<str:code>/<str:period>/", views.county, name="county"),
    path("county/<str:code>/<str:period>/save/", views.save, name="save"),
    path("county/<str:code>/<str:period>/download/", views.download, name="download"),
    path("county/<str:code>/<str:period>/submit/", views.submit, name="submit"),
    path("city/<str:code>/", views.city, name="city"),
    path("city/<str:code>/call/", views.make_call, name="make_call"),
    path("call/<id:pk>/", views.call, name="call"),
    path("call/<id:pk>/zip/", views.call_zip, name="call_zip"),
    path("call/<id:pk>/<str:code>/", views.call_document, name="call_document"),
]
